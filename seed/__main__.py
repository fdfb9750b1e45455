"""``python -m seed --persons N [--seed S] --out DIR``: the generator without the service's CLI."""

from seed.generate import main

raise SystemExit(main())
