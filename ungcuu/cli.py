"""The `ungcuu` command: Django's management commands under the product's name.

    ungcuu serve [--host H] [--port P] [--workers N] [--threads N]
    ungcuu migrate | demo | worker [--batch] | createsuperuser | token create --user NAME | token revoke ID
    ungcuu audit verify
"""

import os
import sys


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ungcuu.settings")
    from django.core.management import execute_from_command_line

    argv = list(sys.argv if argv is None else argv)
    argv[0] = "ungcuu"
    if len(argv) == 1:
        argv.append("help")
    execute_from_command_line(argv)
    return 0


if __name__ == "__main__":
    sys.exit(main())
