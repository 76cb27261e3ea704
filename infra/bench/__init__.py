"""Benchmarks of the local stack (make bench): cold starts, per-document costs, bookings, HTTP timings."""
