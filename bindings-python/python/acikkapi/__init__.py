"""acikkapi: Açık Kapı citizen applications for Python analysts.

Thin, typed wrappers over the Rust library (``acikkapi._acikkapi``). Every error raised is an
``AcikKapiError`` (or a subclass) carrying the library's Turkish message.
"""

from ._acikkapi import (
    AcikKapiError,
    NotFoundError,
    districts,
    lower_tr,
    provinces,
    search_key,
    sorted_tr,
    upper_tr,
)

__all__ = [
    "AcikKapiError",
    "NotFoundError",
    "districts",
    "lower_tr",
    "provinces",
    "search_key",
    "sorted_tr",
    "upper_tr",
]
