"""Write the backend's OpenAPI document (the source of the UI's typed client) to a file."""

import json
import sys
from pathlib import Path

from envdeck.app import create_app
from envdeck.config import Settings


def main() -> None:
    spec = create_app(Settings()).openapi()
    text = json.dumps(spec, indent=2, sort_keys=True) + "\n"
    if len(sys.argv) > 1:
        Path(sys.argv[1]).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)


if __name__ == "__main__":
    main()
