"""The short links printed as QR codes on the eBox campaign's insert page in paper letters."""
