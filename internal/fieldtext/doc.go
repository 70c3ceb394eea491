// Package fieldtext prints a record's key or value safely as text: as it
// is when it is printable UTF-8, Go-quoted otherwise. `consume` prints
// fields so, and the console shows keys of failed records the same way.
package fieldtext
