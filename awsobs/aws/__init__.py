"""The only package that talks to AWS: sessions, regions, and the memoizing gateway."""
