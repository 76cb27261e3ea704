"""publishing: documents as they are printed and sealed, from values to bytes.

Owns the GB/T 9704-2012 typesetter (an OfficialDocument in, a PDF out: typesetting) and the 电子签章
primitives: digests signed by the stack's KMS key, the seal block of a PDF, offline verification
(seal). Takes values, not records, so any flow can print and seal. May import workflow, identity
and platform (today it needs platform only); heavy libraries (fpdf2, fontTools) are imported lazily
and live in the PDF layer.
"""
