from pollinate.cli import main

main()
