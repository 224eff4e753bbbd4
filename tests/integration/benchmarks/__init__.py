"""The benchmark script end to end, with tiny sizes: it runs, prints its tables and lists the
shim's imports. Not a timing test: speed is measured by benchmarks/run.py and reported, never
asserted."""
