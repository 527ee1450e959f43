-- What the receipts and reminders delivered, without whom to (the recipients stay in the raw zone).
with source as (

    select * from {{ source('correspondence', 'outbound_messages') }}

),

renamed as (

    select
        message_id,
        kind as message_kind,
        institution as institution_name,
        institution_id,
        cast(reporting_month as date) as reporting_month,
        state as delivery_state,
        state in ('sent', 'written') as is_delivered,
        attempts,
        cast(composed_at as timestamp) as composed_at,
        cast(delivered_at as timestamp) as delivered_at

    from source

)

select * from renamed
