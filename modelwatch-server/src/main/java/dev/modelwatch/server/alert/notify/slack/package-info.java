/** The Slack incoming webhook integration: text plus a coloured attachment with a mrkdwn block. */
package dev.modelwatch.server.alert.notify.slack;
