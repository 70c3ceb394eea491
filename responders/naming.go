package responders

import "strings"

// ResponderNameFor returns the responder name Karafka's convention gives a
// controller: "UsersCreatedController" → "UsersCreatedResponder". A package
// or pointer qualifier is dropped ("*main.UsersCreatedController" →
// "UsersCreatedResponder"), and a name without the Controller suffix gets
// "Responder" appended. An empty name gives "".
func ResponderNameFor(controllerName string) string {
	name := strings.TrimLeft(controllerName, "*")
	if i := strings.LastIndexByte(name, '.'); i >= 0 {
		name = name[i+1:]
	}
	if name == "" {
		return ""
	}
	return strings.TrimSuffix(name, "Controller") + "Responder"
}
