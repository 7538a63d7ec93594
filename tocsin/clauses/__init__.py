"""The clause library: contract language that unions demanded, won or hold, searchable in every language, compared side by side and adapted."""
