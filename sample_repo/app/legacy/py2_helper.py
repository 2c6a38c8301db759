# -*- coding: utf-8 -*-
"""Chat log export kept from the original Python 2 Discord bot."""

import psycopg2


def dump_chat_logs(conn, channel_id):
    cur = conn.cursor()
    cur.execute("SELECT author, message, sent_at FROM legacy_chat_logs WHERE channel_id = %s ORDER BY sent_at", (channel_id,))
    for author, message, sent_at in cur.fetchall():
        print "[%s] %s: %s" % (sent_at, author, message)
    cur.close()
