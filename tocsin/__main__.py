"""The `tocsin` command: Django's manage.py under the project's own name."""

import os
import sys


def main() -> None:
    if sys.argv[1:2] == ["generate-key"]:
        # Secrets are made before production settings can load, so skip Django for this one.
        from tocsin.core.keys import print_new_secrets  # in the function: only this command uses it

        print_new_secrets(sys.argv[2:])
        return
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tocsin.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["tocsin", *sys.argv[1:]])


if __name__ == "__main__":
    main()
