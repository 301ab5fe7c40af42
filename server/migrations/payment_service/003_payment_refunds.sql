-- A payment whose checkout was abandoned after the charge is given back.
ALTER TYPE transaction_status ADD VALUE IF NOT EXISTS 'Refunded';
