"""The itpump command line: one module per subcommand, each exposing register(subparsers)."""
