/**
 * Incidents: the related alerts of a model (and of its training runs and hosts) grouped while they
 * fire, with a timeline, an owner, notes, the latest diagnosis and remediation actions. Fed by the
 * alert runtime's {@link dev.modelwatch.server.alert.AlertListener}; stored in the store's
 * {@code incidents} table; described in {@code docs/incidents.md}.
 */
package dev.modelwatch.server.incident;
