from kamtool.cli.app import entry

entry()
