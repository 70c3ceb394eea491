// Package app holds the routes of the orders example, Avro in and Avro out
// through a schema registry:
//
//	orders_placed => orders_confirmed (always, exactly once, avro subject orders_confirmed-value)
//
// Inputs are Avro records of OrderSchema in the registry's wire format;
// each is answered with a Confirmed record, encoded with ConfirmedSchema
// (registered under orders_confirmed-value on first use) and checked before
// it is sent. A record that is not in the wire format, names a schema the
// registry does not have or does not fit is dead-lettered with the reason;
// while the registry is down, records wait. The example needs a schema
// registry: Register leaves it out when schema_registry.urls is not set
// (server --embedded-broker serves one in process).
package app
