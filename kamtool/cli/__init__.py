"""The command line: thin commands over the library (parse, load, analyse, render)."""
