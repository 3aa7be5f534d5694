import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from audit.errors import ApplicationError
from audit.merkle import verify_consistency, verify_inclusion
from audit.selectors import journal_consistency_proof, journal_inclusion_proof, journal_root


class Command(BaseCommand):
    help = (
        "Print the audit journal's Merkle root (RFC 9162) or an inclusion/consistency proof as JSON "
        "with hex values; every proof is verified before it is printed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="what", required=True, metavar="{root,inclusion,consistency}")
        root = sub.add_parser("root", help="Merkle root of the first N events (default: all)")
        root.add_argument("--size", type=int, default=None)
        inclusion = sub.add_parser("inclusion", help="proof that event K is in the tree of N events")
        inclusion.add_argument("--seq", type=int, required=True)
        inclusion.add_argument("--size", type=int, default=None)
        consistency = sub.add_parser("consistency", help="proof that the tree of N events extends that of M")
        consistency.add_argument("--old", type=int, required=True)
        consistency.add_argument("--new", type=int, default=None)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = self._build(options)
        except ApplicationError as exc:
            raise CommandError(str(exc.message)) from exc
        self.stdout.write(json.dumps(result, indent=2))

    def _build(self, options: dict[str, Any]) -> dict[str, Any]:
        what = options["what"]
        if what == "root":
            tree = journal_root(options["size"])
            return {"tree_size": tree.size, "root": tree.root_hex}
        if what == "inclusion":
            inc = journal_inclusion_proof(options["seq"], options["size"])
            verify_inclusion(
                leaf_hash=bytes.fromhex(inc.leaf_hash_hex),
                index=inc.leaf_index,
                tree_size=inc.size,
                proof=[bytes.fromhex(h) for h in inc.proof_hex],
                root=bytes.fromhex(inc.root_hex),
            )
            return {
                "seq": inc.seq,
                "leaf_index": inc.leaf_index,
                "tree_size": inc.size,
                "event_hash": inc.event_hash_hex,
                "leaf_hash": inc.leaf_hash_hex,
                "proof": inc.proof_hex,
                "root": inc.root_hex,
            }
        con = journal_consistency_proof(options["old"], options["new"])
        verify_consistency(
            old_size=con.old_size,
            new_size=con.new_size,
            old_root=bytes.fromhex(con.old_root_hex),
            new_root=bytes.fromhex(con.new_root_hex),
            proof=[bytes.fromhex(h) for h in con.proof_hex],
        )
        return {
            "old_size": con.old_size,
            "new_size": con.new_size,
            "old_root": con.old_root_hex,
            "new_root": con.new_root_hex,
            "proof": con.proof_hex,
        }
