// Package schemas reads and writes payloads in a schema registry's wire
// format (Confluent's: a magic byte 0, a 4-byte big-endian schema id, for
// Protobuf the message indexes, then the encoded value), with Avro,
// Protobuf and JSON Schema, against any Confluent-compatible registry.
//
// A Registry is a registry client with caches (schemas by id never change;
// a subject's latest version is kept for Config.SubjectTTL). From it:
//   - Parser is a route's params.Parser: it checks each record against the
//     schema its header names, decodes into Go types (hamba/avro structs,
//     generated protobuf messages, JSON-tagged structs) and gives params'
//     dotted access a generic form;
//   - TopicName, RecordName, TopicRecordName and Subject give a responder
//     topic's responders.Schema: each value is encoded and checked against
//     its subject's schema before anything of the response is sent.
//
// Errors are comparable with errors.Is. A record whose schema id the
// registry does not know, with a wrong magic byte, truncated, or that does
// not fit its schema wraps params.ErrParse and is dead-lettered with the
// reason; a registry that cannot be reached (after Config.Retries) wraps
// ErrUnavailable and params.ErrUnavailable, so the record waits and is
// tried again with backoff, never dead-lettered for an outage.
package schemas
