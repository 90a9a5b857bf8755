"""Edit Word files in a running LibreOffice the way a person does, through its UNO bridge.

Run by a Python that has LibreOffice's ``uno`` module (Debian's python3-uno, or the Python
that comes with LibreOffice), not by the tests' own: ``python3 libreoffice_worker.py PIPE``.
It connects to the LibreOffice listening on the named pipe and answers one JSON line per
request read from standard input: ``{"src": …, "dst": …, "steps": [[gesture, argument], …]}``
opens ``src``, makes each gesture with LibreOffice's own editing commands (the ones its
keys and menus run), saves the result as DOCX to ``dst`` and answers ``{"ok": true}`` or
``{"error": "…"}``.
"""

import json
import os
import sys
import time

import uno  # type: ignore[import-not-found]
from com.sun.star.beans import PropertyValue  # type: ignore[import-not-found]


def _property(name, value):
    p = PropertyValue()
    p.Name = name
    p.Value = value
    return p


def _connect(pipe):
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext(
        "com.sun.star.bridge.UnoUrlResolver", local)
    deadline = time.monotonic() + 60
    while True:
        try:
            return resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
        except Exception:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


class Editor:
    """One open document and the commands a person gives it."""

    def __init__(self, context, path):
        manager = context.ServiceManager
        desktop = manager.createInstanceWithContext("com.sun.star.frame.Desktop", context)
        self.dispatcher = manager.createInstanceWithContext(
            "com.sun.star.frame.DispatchHelper", context)
        self.doc = desktop.loadComponentFromURL(uno.systemPathToFileUrl(path), "_blank", 0,
                                                (_property("Hidden", True),))
        self.frame = self.doc.CurrentController.Frame
        self.cursor = self.doc.CurrentController.ViewCursor

    def command(self, name, **args):
        """Run a command of LibreOffice's menus and keys (".uno:InsertPara" is Enter)."""
        self.dispatcher.executeDispatch(self.frame, ".uno:" + name, "", 0,
                                        tuple(_property(k, v) for k, v in args.items()))

    def find(self, text):
        search = self.doc.createSearchDescriptor()
        search.SearchString = text
        search.SearchCaseSensitive = True
        found = self.doc.findFirst(search)
        if found is None:
            raise LookupError(f"{text!r} finns inte i dokumentet")
        return found

    def step(self, gesture, arg):
        if gesture == "efter":  # click right after these words
            self.cursor.gotoRange(self.find(arg).End, False)
        elif gesture == "fore":  # click right before them
            self.cursor.gotoRange(self.find(arg).Start, False)
        elif gesture == "markera":  # select them
            self.cursor.gotoRange(self.find(arg), False)
        elif gesture == "skriv":
            self.command("InsertText", Text=arg)
        elif gesture == "retur":
            self.command("InsertPara")
        elif gesture == "punktlista":
            self.command("DefaultBullet")
        elif gesture == "numrerad":
            self.command("DefaultNumbering")
        elif gesture == "indrag":  # Tab at the start of a list item: one level down
            # LibreOffice's "Demote One Level" is DecrementLevel, "Promote" IncrementLevel.
            self.command("IncrementLevel" if arg == "upp" else "DecrementLevel")
        elif gesture == "fetstil":
            self.command("Bold")
        elif gesture == "kursiv":
            self.command("Italic")
        elif gesture == "fotnot":
            self.command("InsertFootnote")
            self.command("InsertText", Text=arg)
        elif gesture == "lank":  # Insert > Hyperlink on the selected words: their URL
            self.cursor.HyperLinkURL = arg
        elif gesture == "formatmall":
            self.command("StyleApply", Style=arg, FamilyName="ParagraphStyles")
        else:
            raise ValueError(f"okänd gest {gesture!r}")

    def save(self, path):
        self.doc.storeToURL(uno.systemPathToFileUrl(path),
                            (_property("FilterName", "MS Word 2007 XML"),))

    def close(self):
        self.doc.close(True)


def main():
    context = _connect(sys.argv[1])
    print(json.dumps({"ok": True}), flush=True)
    for line in sys.stdin:
        request = json.loads(line)
        editor = None
        try:
            editor = Editor(context, request["src"])
            for gesture, arg in request["steps"]:
                editor.step(gesture, arg)
            editor.save(request["dst"])
            answer = {"ok": True}
        except Exception as exc:  # reported to the test, which fails with it
            answer = {"error": f"{type(exc).__name__}: {exc}"}
        finally:
            if editor is not None:
                try:
                    editor.close()
                except Exception:
                    pass
        print(json.dumps(answer), flush=True)
    # The bridge may crash while Python tears it down; nothing is left to do by then.
    os._exit(0)


if __name__ == "__main__":
    main()
