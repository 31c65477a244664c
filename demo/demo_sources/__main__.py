"""``python -m demo_sources``: run the six demo sites in the foreground until Ctrl-C."""

from __future__ import annotations

import argparse
import threading

from demo_sources.runner import DEFAULT_PORTS, X_TOKEN_ENV, DemoSources


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m demo_sources", description="Run the demo sites on loopback."
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument(
        "--ports",
        choices=["default", "free"],
        default="default",
        help="default: 8101-8106; free: any free ports",
    )
    parser.add_argument(
        "--print-config", action="store_true", help="print the sources config for these sites"
    )
    args = parser.parse_args(argv)
    with DemoSources(
        host=args.host, ports=DEFAULT_PORTS if args.ports == "default" else None
    ) as demo:
        for site, url in demo.urls.items():
            print(f"{site:9} {url}")
        print(f"X bearer token: {demo.x_bearer_token}  (export {X_TOKEN_ENV}=...)")
        if args.print_config:
            print(demo.config_yaml())
        print("Ctrl-C stops.", flush=True)
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            pass
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
