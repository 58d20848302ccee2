from envdeck.cli import main

main()
