"""Small widgets shared by the back-office screens: the live countdown, the step timeline, the
change signal from other PCs, opening documents and attachments."""
