from loket.cli import main

main()
