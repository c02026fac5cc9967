from postured.cli import main

raise SystemExit(main())
