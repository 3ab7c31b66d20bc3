"""The engine contract, below both ``drafting`` (which builds requests) and ``llm`` (which answers them).

``request``: what a section asks an engine and what comes back; ``spec``: what a section is; ``packed``: the
numbered sources a prompt is built from; ``output``: cleaning of raw model text; ``answer``: the answer check;
``answers``: the models of the JSON answers. Nothing here imports ``assistant.drafting`` or ``assistant.llm``.
"""
