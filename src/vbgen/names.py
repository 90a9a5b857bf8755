"""The files vbgen looks for in a folder by name: here, so that knowing them loads nothing."""

#: The main file of a data folder.
MAIN_FILE = "vb.yaml"
#: The main file of a kommun profile.
PROFILE_FILE = "kommun.yaml"
