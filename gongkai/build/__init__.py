"""The Pelican build: the contract between plugins, the one adapter to Pelican, and the speed devices (speed/)."""
