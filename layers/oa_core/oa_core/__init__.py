"""oa_core: the domain, storage and adapters of the OA (办公自动化) system, shared by every Lambda."""
