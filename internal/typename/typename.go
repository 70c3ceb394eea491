// Package typename gives a value's Go type name the way karafka-actors shows
// it (controllers and responders in flow, routes and logs): without package
// path or pointers. It is the one place of that rule.
package typename

import (
	"reflect"
	"strings"
)

// Of returns v's type name without package or pointers ("UsersController"
// for a *app.UsersController), or "" for nil and unnamed types.
func Of(v any) string {
	t := reflect.TypeOf(v)
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == nil {
		return ""
	}
	name := t.Name()
	if i := strings.LastIndexByte(name, '.'); i >= 0 {
		name = name[i+1:]
	}
	return name
}
