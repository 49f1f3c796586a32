"""A Lambda layer of a function, as samlite finds its content on this machine (`LayerSpec`).

On Lambda a layer is a .zip extracted into `/opt`, the function's layers merged in the order the
function lists them. samlite never unpacks anything into the real `/opt`: a layer is a folder (the
template's `ContentUri` / `Content`, a folder from `--layer-map`) and/or packages installed from PyPI
(a BuildMethod layer's requirements.txt, a public Powertools layer), which the runtime merges into a
view of `/opt` per function (see `samlite.runtime.layer_view`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

# Where a layer's content sits inside /opt: at its root (a .zip made by hand holds python/, bin/...),
# or under python/ (what `sam build` makes of a `BuildMethod: python3.x` layer's ContentUri).
AT_ROOT = ""
UNDER_PYTHON = "python"


@dataclass(frozen=True)
class LayerSpec:
    """One layer: its ARN, and where its files come from.

    - `content`: a folder whose files appear in /opt at `content_prefix` (None: packages only);
    - `requirements`: a requirements.txt installed into /opt/python (BuildMethod python3.x);
    - `packages`: pip requirement lines installed into /opt/python (a public layer rebuilt from PyPI);
    - `compatible_runtimes` / `compatible_architectures`: what the layer declares (checked with a
      warning, as Lambda only uses them to filter listings);
    - `origin`: "template", "layer-map" or "powertools", for messages.
    """

    arn: str
    name: str
    content: Path | None = None
    content_prefix: str = AT_ROOT
    requirements: Path | None = None
    packages: tuple[str, ...] = ()
    compatible_runtimes: tuple[str, ...] = ()
    compatible_architectures: tuple[str, ...] = ()
    origin: str = "template"
