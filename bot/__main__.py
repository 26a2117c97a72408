import sys

from bot.launcher.cli import main

sys.exit(main())
