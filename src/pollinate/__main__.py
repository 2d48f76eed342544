from pollinate.cli import main

# Guarded: a helper process (anyio's to_process, actions/board.py) loads the parent's
# main module under another name, and must not start a second CLI.
if __name__ == "__main__":
    main()
