# labsmith's stand-ins for the Kubernetes binaries no reachable registry ships (see README,
# "Emulated lab"). Standard library only; each executable imports just what it needs, because
# an emulated lab of 50 nodes runs a few hundred of these processes.
