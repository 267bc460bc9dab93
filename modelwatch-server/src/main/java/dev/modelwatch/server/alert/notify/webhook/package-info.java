/** The webhook integration: Alertmanager's webhook payload version 4, POSTed as JSON. */
package dev.modelwatch.server.alert.notify.webhook;
