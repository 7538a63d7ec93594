"""Import members from a CSV file, one module per step: `files` reads the file as a whole,
`rows` checks each row, `matching` finds the people Tocsin already has, `report` holds
what was found and planned, and `members` checks a file and writes all of it or none.
"""
