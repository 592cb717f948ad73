"""``python -m service_recovery``: the same as the ``service-recovery`` command."""

from ._cli import main

raise SystemExit(main())
