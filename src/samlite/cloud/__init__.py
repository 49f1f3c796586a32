"""The local cloud: `LocalCloud`, the facade that assembles a template's whole local cloud, and the
developer loop around it (log stream, code watcher, state files)."""
