from kamtool.cli.app import main

main()
