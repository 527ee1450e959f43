-- Which institutions have someone to write to, from the latest contacts file. The address itself
-- is personal data and stays in the raw table: it is never selected here.
with source as (

    select * from {{ source('institution_contacts', 'institution_contacts') }}
    where landed_file_id = {{ latest_landed_file(source('institution_contacts', 'institution_contacts')) }}

),

renamed as (

    select
        institution as institution_name,
        institution_key,
        role as contact_role,
        landed_file_id,
        cast(loaded_at as timestamp) as loaded_at

    from source

)

select * from renamed
