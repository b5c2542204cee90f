"""Built-in checks, one module per area. Importing a module registers its checks."""
