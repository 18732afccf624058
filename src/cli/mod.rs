//! The `acikkapi` command line: argument parsing and the subcommands. Thin glue over the library.
