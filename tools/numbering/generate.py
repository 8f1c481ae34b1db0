#!/usr/bin/env python3
"""Writes tariffs/numbering.csv from libphonenumber's metadata (the `phonenumbers` package).

One row per region: its ISO code, country calling code, national (trunk) prefix, and the
possible lengths of a national significant number dialled from abroad (libphonenumber's
general description, without its local-only lengths). waprice checks every customer number
against its calling code's lengths and reads national numbers with --default-country.

    python3 -m venv /tmp/pn && /tmp/pn/bin/pip install phonenumbers
    /tmp/pn/bin/python tools/numbering/generate.py > tariffs/numbering.csv
"""
import sys

import phonenumbers
from phonenumbers import PhoneMetadata

out = sys.stdout
out.write("iso2,calling_code,national_prefix,lengths\n")
for region in sorted(phonenumbers.SUPPORTED_REGIONS):
    md = PhoneMetadata.metadata_for_region(region)
    lengths = sorted(set(md.general_desc.possible_length))
    prefix = md.national_prefix or ""
    out.write(f"{region},{md.country_code},{prefix},{' '.join(map(str, lengths))}\n")
sys.stderr.write(f"phonenumbers {phonenumbers.__version__}: {len(phonenumbers.SUPPORTED_REGIONS)} regions\n")
