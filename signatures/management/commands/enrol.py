"""Enrol a user for signing, for administrators, scripts and tests (signatures issue §1). Three ways,
one per key holder (`SigningIdentity.backend`):

- default: Pakta generates the key and keeps it encrypted under a passphrase (`ca.identity_enrol`);
- `--pkcs11 --token-label L --key-label K [--lib PATH]`: the key is generated inside the token or HSM
  and never leaves it; the embedded CA certifies its public key (`signers.pkcs11_generate_key`, then
  `ca.identity_enrol_token_key`). The administrator runs this at the official's token;
- `--pkcs12 FILE`: register the certificate of a PKCS#12 file (from a PSrE); the official uploads the
  file at every signature, Pakta keeps only the certificate (`ca.identity_register_pkcs12`). A certificate
  that does not chain to our CA or a configured PSrE root is refused, as through the API
  (`signatures.signers.pkcs12_trust_check`): its signatures could never be sealed.

The secret (passphrase, token PIN, PKCS#12 password) is read from standard input (first line), or asked
on a terminal: never from the command line, where it would show in the process list and shell history.
"""

import getpass
import sys
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from audit.errors import ApplicationError
from signatures import ca, signers
from signatures.models import SigningIdentity


class Command(BaseCommand):
    help = (
        "Daftarkan akun untuk tanda tangan elektronik: kunci di Pakta (passphrase), kunci di token PKCS#11 "
        "(--pkcs11, PIN), atau sertifikat berkas PKCS#12 (--pkcs12, kata sandi). Rahasia dibaca dari stdin."
    )
    # `call_command("enrol", ..., stdin=StringIO(...))` in tests; the terminal or a pipe otherwise.
    stealth_options = ("stdin",)

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", help="Nama di sertifikat (CN); tidak untuk --pkcs12.")
        parser.add_argument("--nip", help="NIP (serialNumber); tidak untuk --pkcs12.")
        parser.add_argument("--unit", help="Nama unit (OU); tidak untuk --pkcs12.")
        parser.add_argument("--organisation", default=None, help="Organisasi (O); bawaan PAKTA_INSTITUTION_NAME.")
        parser.add_argument("--email", default="")
        backend = parser.add_mutually_exclusive_group()
        backend.add_argument(
            "--pkcs11", action="store_true", help="Buat kunci di dalam token/HSM PKCS#11; PIN dibaca dari stdin."
        )
        backend.add_argument(
            "--pkcs12", metavar="FILE", help="Daftarkan sertifikat berkas PKCS#12; kata sandinya dibaca dari stdin."
        )
        parser.add_argument("--token-label", help="Label token PKCS#11 (dengan --pkcs11).")
        parser.add_argument("--key-label", help="Label kunci yang dibuat di token (dengan --pkcs11).")
        parser.add_argument("--lib", help="Pustaka PKCS#11 (.so); bawaan PAKTA_PKCS11_LIB.")

    def handle(self, *args: Any, **options: Any) -> None:
        stdin: IO[str] = options.get("stdin") or sys.stdin
        if (options["token_label"] or options["key_label"] or options["lib"]) and not options["pkcs11"]:
            raise CommandError(_("--token-label, --key-label dan --lib hanya berlaku dengan --pkcs11."))
        if options["pkcs12"] and any(options[name] for name in ("name", "nip", "unit", "organisation", "email")):
            raise CommandError(
                _(
                    "--name, --nip, --unit, --organisation dan --email tidak berlaku dengan --pkcs12: "
                    "datanya diambil dari sertifikat."
                )
            )
        user = get_user_model()._default_manager.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(_("Akun %(username)s tidak ditemukan.") % {"username": options["username"]})
        try:
            if options["pkcs12"]:
                identity = self._register_pkcs12(user, Path(options["pkcs12"]), stdin)
            elif options["pkcs11"]:
                identity = self._enrol_token_key(user, options, stdin)
            else:
                identity = self._enrol_embedded(user, options, stdin)
        except ApplicationError as exc:
            raise CommandError(str(exc.message)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                _("Sertifikat diterbitkan untuk %(name)s, nomor seri %(serial)s, berlaku sampai %(until)s.")
                % {"name": identity.subject_name, "serial": identity.serial, "until": f"{identity.not_after:%Y-%m-%d}"}
            )
        )

    # ----------------------------------------------------------------------------------------------------

    def _enrol_embedded(self, user: Any, options: dict[str, Any], stdin: IO[str]) -> SigningIdentity:
        subject = self._subject(options)
        passphrase = self._secret(stdin, _("Passphrase: "), confirm=_("Ulangi passphrase: "))
        try:
            return ca.identity_enrol(user=user, passphrase=passphrase, actor=None, **subject)
        finally:
            del passphrase

    def _enrol_token_key(self, user: Any, options: dict[str, Any], stdin: IO[str]) -> SigningIdentity:
        if not options["token_label"] or not options["key_label"]:
            raise CommandError(_("--pkcs11 memerlukan --token-label dan --key-label."))
        subject = self._subject(options)
        if not ca.ca_exists():  # checked before a key is made in the token for nothing
            raise ca.CaNotInitialized(ca.CA_NOT_INITIALIZED)
        lib_path = options["lib"] or settings.PAKTA_PKCS11_LIB
        pin = self._secret(stdin, _("PIN token: "))
        if not pin:
            raise CommandError(_("PIN token kosong: tulis PIN di baris pertama stdin."))
        try:
            # The key pair is made inside the token; only its public key comes back to be certified.
            public_key = signers.pkcs11_generate_key(
                lib_path=lib_path, token_label=options["token_label"], pin=pin, key_label=options["key_label"]
            )
        finally:
            del pin
        try:
            return ca.identity_enrol_token_key(
                user=user,
                public_key_der=public_key,
                token_label=options["token_label"],
                key_label=options["key_label"],
                actor=None,
                **subject,
            )
        except ApplicationError as exc:
            raise CommandError(
                _("%(reason)s Kunci %(label)s sudah dibuat di token tanpa sertifikat: pakai --key-label lain.")
                % {"reason": exc.message, "label": options["key_label"]}
            ) from exc

    def _register_pkcs12(self, user: Any, path: Path, stdin: IO[str]) -> SigningIdentity:
        try:
            with path.open("rb") as handle:
                # One byte past the limit is enough for the holder to refuse an oversized file.
                data = handle.read(signers.PKCS12_MAX_BYTES + 1)
        except OSError as exc:
            raise CommandError(
                _("Berkas %(path)s tidak dapat dibaca: %(reason)s") % {"path": path, "reason": exc.strerror}
            ) from None
        password = self._secret(stdin, _("Kata sandi PKCS#12: "))
        try:
            signers.pkcs12_trust_check(signers.load_pkcs12(data, password))
            return ca.identity_register_pkcs12(user=user, pkcs12_bytes=data, password=password, actor=None)
        finally:
            del password

    def _subject(self, options: dict[str, Any]) -> dict[str, str]:
        missing = [f"--{name}" for name in ("name", "nip", "unit") if not options[name]]
        if missing:
            raise CommandError(_("Wajib diisi: %(options)s.") % {"options": ", ".join(missing)})
        return {
            "name": options["name"],
            "nip": options["nip"],
            "unit_name": options["unit"],
            "organisation": options["organisation"] or settings.PAKTA_INSTITUTION_NAME,
            "email": options["email"],
        }

    def _secret(self, stdin: IO[str], prompt: str, *, confirm: str | None = None) -> str:
        """The first line of standard input (newline removed, nothing else), or asked on a terminal;
        a new secret (`confirm`) is asked twice."""
        if stdin.isatty():
            first = getpass.getpass(prompt)
            if confirm is not None and getpass.getpass(confirm) != first:
                raise CommandError(_("Kedua passphrase tidak sama."))
            return first
        line = stdin.readline()
        return line[:-1] if line.endswith("\n") else line
