package producer

import "github.com/IBM/sarama"

// partitioner honours Message.ExplicitPartition and otherwise hashes the
// key like sarama's hash partitioner (random for a nil key).
type partitioner struct {
	hash sarama.Partitioner
}

var _ sarama.DynamicConsistencyPartitioner = partitioner{}

func newPartitioner(topic string) sarama.Partitioner {
	return partitioner{hash: sarama.NewHashPartitioner(topic)}
}

// Partition picks the partition of m out of n.
func (p partitioner) Partition(m *sarama.ProducerMessage, n int32) (int32, error) {
	if e, ok := m.Metadata.(*envelope); ok && e.msg.ExplicitPartition {
		return e.msg.Partition, nil
	}
	return p.hash.Partition(m, n)
}

// RequiresConsistency is true: keyed records must always land on the same
// partition.
func (partitioner) RequiresConsistency() bool { return true }

// MessageRequiresConsistency lets only keyless, non-explicit records go to
// any available partition.
func (partitioner) MessageRequiresConsistency(m *sarama.ProducerMessage) bool {
	if e, ok := m.Metadata.(*envelope); ok && e.msg.ExplicitPartition {
		return true
	}
	return m.Key != nil
}
