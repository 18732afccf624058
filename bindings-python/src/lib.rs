//! Python bindings for acikkapi.
