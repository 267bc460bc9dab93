/** The WeCom (WeChat Work) group robot integration: markdown messages, {@code errcode} answers. */
package dev.modelwatch.server.alert.notify.wecom;
