-- Keys and indexes, one psql session per table (\if on :tbl), then the foreign keys.
\if :{?tbl}
\else
  \set tbl all
\endif
SELECT :'tbl' = 'customers' AS is_customers, :'tbl' = 'orders' AS is_orders, :'tbl' = 'order_items' AS is_items,
       :'tbl' = 'events' AS is_events, :'tbl' = 'documents' AS is_documents, :'tbl' = 'fkeys' AS is_fkeys \gset
\if :is_customers
  ALTER TABLE customers ADD PRIMARY KEY (id);
  CREATE INDEX customers_email_idx ON customers (email);
\elif :is_orders
  ALTER TABLE orders ADD PRIMARY KEY (id);
  CREATE INDEX orders_customer_id_idx ON orders (customer_id);
  CREATE INDEX orders_placed_at_idx ON orders (placed_at);
\elif :is_items
  ALTER TABLE order_items ADD PRIMARY KEY (order_id, line_no);
\elif :is_events
  ALTER TABLE events ADD PRIMARY KEY (id);
  CREATE INDEX events_occurred_at_idx ON events (occurred_at);
\elif :is_documents
  ALTER TABLE documents ADD PRIMARY KEY (id);
  CREATE INDEX documents_customer_id_idx ON documents (customer_id);
\elif :is_fkeys
  ALTER TABLE orders ADD FOREIGN KEY (customer_id) REFERENCES customers (id);
  ALTER TABLE order_items ADD FOREIGN KEY (order_id) REFERENCES orders (id);
  ALTER TABLE documents ADD FOREIGN KEY (customer_id) REFERENCES customers (id);
\endif
