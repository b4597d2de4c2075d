
export type Json = string | number | boolean | null | { [key: string]: Json | undefined } | Json[]

export type Database = {
  
  "estimator": {
          Tables: {
            "breakers": {
                  Row: {
                    "af": number,"at": number,"created_at": string,"id": string,"load_a": number,"model": string,"owner": string,"panel_id": string,"phase": string | null,"poles": number,"role": string,"row_no": number,"side": string | null,"updated_at": string
                  }
                  ComputedFields: never
                  Insert: {
                    "af": number,"at": number,"created_at"?: string,"id"?: string,"load_a"?: number,"model": string,"owner": string,"panel_id": string,"phase"?: string | null,"poles": number,"role": string,"row_no": number,"side"?: string | null,"updated_at"?: string
                  }
                  Update: {
                    "af"?: number,"at"?: number,"created_at"?: string,"id"?: string,"load_a"?: number,"model"?: string,"owner"?: string,"panel_id"?: string,"phase"?: string | null,"poles"?: number,"role"?: string,"row_no"?: number,"side"?: string | null,"updated_at"?: string
                  }
                  Relationships: [
                    {
      foreignKeyName: "breakers_panel_fkey"
      columns: ["owner","panel_id"]
isOneToOne: false
      referencedRelation: "panels"
      referencedColumns: ["owner","id"]
    }
                  ]
                },"documents": {
                  Row: {
                    "content_type": string,"created_at": string,"filename": string | null,"id": string,"kind": string,"owner": string,"profile_id": string | null,"profile_sha256": string | null,"quote_id": string,"set_no": number,"sha256": string,"size_bytes": number | null,"state": string,"storage_path": string,"updated_at": string
                  }
                  ComputedFields: never
                  Insert: {
                    "content_type": string,"created_at"?: string,"filename"?: string | null,"id"?: string,"kind": string,"owner": string,"profile_id"?: string | null,"profile_sha256"?: string | null,"quote_id": string,"set_no"?: number,"sha256": string,"size_bytes"?: number | null,"state"?: string,"storage_path": string,"updated_at"?: string
                  }
                  Update: {
                    "content_type"?: string,"created_at"?: string,"filename"?: string | null,"id"?: string,"kind"?: string,"owner"?: string,"profile_id"?: string | null,"profile_sha256"?: string | null,"quote_id"?: string,"set_no"?: number,"sha256"?: string,"size_bytes"?: number | null,"state"?: string,"storage_path"?: string,"updated_at"?: string
                  }
                  Relationships: [
                    {
      foreignKeyName: "documents_quote_fkey"
      columns: ["owner","quote_id"]
isOneToOne: false
      referencedRelation: "quotes"
      referencedColumns: ["owner","id"]
    }
                  ]
                },"evidence_blobs": {
                  Row: {
                    "content_type": string,"created_at": string,"id": string,"owner": string,"quote_id": string,"sha256": string,"size_bytes": number,"stage": string,"storage_path": string,"updated_at": string
                  }
                  ComputedFields: never
                  Insert: {
                    "content_type"?: string,"created_at"?: string,"id"?: string,"owner": string,"quote_id": string,"sha256": string,"size_bytes": number,"stage": string,"storage_path": string,"updated_at"?: string
                  }
                  Update: {
                    "content_type"?: string,"created_at"?: string,"id"?: string,"owner"?: string,"quote_id"?: string,"sha256"?: string,"size_bytes"?: number,"stage"?: string,"storage_path"?: string,"updated_at"?: string
                  }
                  Relationships: [
                    {
      foreignKeyName: "evidence_blobs_quote_fkey"
      columns: ["owner","quote_id"]
isOneToOne: false
      referencedRelation: "quotes"
      referencedColumns: ["owner","id"]
    }
                  ]
                },"memberships": {
                  Row: {
                    "created_at": string,"id": string,"organisation_id": string,"role": string,"updated_at": string,"user_id": string
                  }
                  ComputedFields: never
                  Insert: {
                    "created_at"?: string,"id"?: string,"organisation_id": string,"role": string,"updated_at"?: string,"user_id": string
                  }
                  Update: {
                    "created_at"?: string,"id"?: string,"organisation_id"?: string,"role"?: string,"updated_at"?: string,"user_id"?: string
                  }
                  Relationships: [
                    {
      foreignKeyName: "memberships_organisation_id_fkey"
      columns: ["organisation_id"]
isOneToOne: false
      referencedRelation: "organisations"
      referencedColumns: ["id"]
    }
                  ]
                },"organisations": {
                  Row: {
                    "created_at": string,"created_by": string | null,"id": string,"name": string,"personal_owner": string | null,"updated_at": string
                  }
                  ComputedFields: never
                  Insert: {
                    "created_at"?: string,"created_by"?: string | null,"id"?: string,"name": string,"personal_owner"?: string | null,"updated_at"?: string
                  }
                  Update: {
                    "created_at"?: string,"created_by"?: string | null,"id"?: string,"name"?: string,"personal_owner"?: string | null,"updated_at"?: string
                  }
                  Relationships: [
                    
                  ]
                },"panels": {
                  Row: {
                    "created_at": string,"enclosure_d_mm": number,"enclosure_h_mm": number,"enclosure_model": string,"enclosure_w_mm": number,"fit_score": number,"id": string,"label": string | null,"layout": NonNullable<Json>,"owner": string,"phase_balance": NonNullable<Json>,"position": number,"quote_id": string,"required_d_mm": number,"required_h_mm": number,"required_w_mm": number,"updated_at": string
                  }
                  ComputedFields: never
                  Insert: {
                    "created_at"?: string,"enclosure_d_mm": number,"enclosure_h_mm": number,"enclosure_model": string,"enclosure_w_mm": number,"fit_score": number,"id"?: string,"label"?: string | null,"layout"?: NonNullable<Json>,"owner": string,"phase_balance"?: NonNullable<Json>,"position"?: number,"quote_id": string,"required_d_mm": number,"required_h_mm": number,"required_w_mm": number,"updated_at"?: string
                  }
                  Update: {
                    "created_at"?: string,"enclosure_d_mm"?: number,"enclosure_h_mm"?: number,"enclosure_model"?: string,"enclosure_w_mm"?: number,"fit_score"?: number,"id"?: string,"label"?: string | null,"layout"?: NonNullable<Json>,"owner"?: string,"phase_balance"?: NonNullable<Json>,"position"?: number,"quote_id"?: string,"required_d_mm"?: number,"required_h_mm"?: number,"required_w_mm"?: number,"updated_at"?: string
                  }
                  Relationships: [
                    {
      foreignKeyName: "panels_quote_fkey"
      columns: ["owner","quote_id"]
isOneToOne: false
      referencedRelation: "quotes"
      referencedColumns: ["owner","id"]
    }
                  ]
                },"quote_items": {
                  Row: {
                    "amount": number,"created_at": string,"id": string,"item": string,"owner": string,"position": number,"qty": number,"quote_id": string,"section": string,"spec": string,"unit": string,"unit_price": number,"updated_at": string
                  }
                  ComputedFields: never
                  Insert: {
                    "amount": number,"created_at"?: string,"id"?: string,"item": string,"owner": string,"position": number,"qty": number,"quote_id": string,"section": string,"spec"?: string,"unit": string,"unit_price": number,"updated_at"?: string
                  }
                  Update: {
                    "amount"?: number,"created_at"?: string,"id"?: string,"item"?: string,"owner"?: string,"position"?: number,"qty"?: number,"quote_id"?: string,"section"?: string,"spec"?: string,"unit"?: string,"unit_price"?: number,"updated_at"?: string
                  }
                  Relationships: [
                    {
      foreignKeyName: "quote_items_quote_fkey"
      columns: ["owner","quote_id"]
isOneToOne: false
      referencedRelation: "quotes"
      referencedColumns: ["owner","id"]
    }
                  ]
                },"quote_number_counters": {
                  Row: {
                    "last_number": number,"updated_at": string,"year": number
                  }
                  ComputedFields: never
                  Insert: {
                    "last_number": number,"updated_at"?: string,"year": number
                  }
                  Update: {
                    "last_number"?: number,"updated_at"?: string,"year"?: number
                  }
                  Relationships: [
                    
                  ]
                },"quote_reviews": {
                  Row: {
                    "at": string,"created_at": string,"decision": string,"id": string,"quote_id": string,"reason": string,"reviewer": string,"reviewer_email": string | null,"updated_at": string
                  }
                  ComputedFields: never
                  Insert: {
                    "at"?: string,"created_at"?: string,"decision": string,"id"?: string,"quote_id": string,"reason"?: string,"reviewer": string,"reviewer_email"?: string | null,"updated_at"?: string
                  }
                  Update: {
                    "at"?: string,"created_at"?: string,"decision"?: string,"id"?: string,"quote_id"?: string,"reason"?: string,"reviewer"?: string,"reviewer_email"?: string | null,"updated_at"?: string
                  }
                  Relationships: [
                    {
      foreignKeyName: "quote_reviews_quote_id_fkey"
      columns: ["quote_id"]
isOneToOne: false
      referencedRelation: "quotes"
      referencedColumns: ["id"]
    }
                  ]
                },"quotes": {
                  Row: {
                    "catalog_label": string,"catalog_sha256": string,"catalog_version_id": string,"created_at": string,"evidence_root_sha256": string,"grand_total": number,"id": string,"idempotency_key": string,"issued_at": string,"organisation_id": string,"owner": string,"previous_quote_id": string | null,"quote_number": string | null,"request": NonNullable<Json>,"request_sha256": string,"response": NonNullable<Json>,"revision": number,"status": string,"subtotal": number,"updated_at": string,"vat": number
                  }
                  ComputedFields: never
                  Insert: {
                    "catalog_label": string,"catalog_sha256": string,"catalog_version_id": string,"created_at"?: string,"evidence_root_sha256": string,"grand_total": number,"id"?: string,"idempotency_key": string,"issued_at"?: string,"organisation_id": string,"owner": string,"previous_quote_id"?: string | null,"quote_number"?: string | null,"request": NonNullable<Json>,"request_sha256": string,"response"?: NonNullable<Json>,"revision"?: number,"status": string,"subtotal": number,"updated_at"?: string,"vat": number
                  }
                  Update: {
                    "catalog_label"?: string,"catalog_sha256"?: string,"catalog_version_id"?: string,"created_at"?: string,"evidence_root_sha256"?: string,"grand_total"?: number,"id"?: string,"idempotency_key"?: string,"issued_at"?: string,"organisation_id"?: string,"owner"?: string,"previous_quote_id"?: string | null,"quote_number"?: string | null,"request"?: NonNullable<Json>,"request_sha256"?: string,"response"?: NonNullable<Json>,"revision"?: number,"status"?: string,"subtotal"?: number,"updated_at"?: string,"vat"?: number
                  }
                  Relationships: [
                    {
      foreignKeyName: "quotes_organisation_fkey"
      columns: ["organisation_id"]
isOneToOne: false
      referencedRelation: "organisations"
      referencedColumns: ["id"]
    },{
      foreignKeyName: "quotes_previous_quote_fkey"
      columns: ["previous_quote_id"]
isOneToOne: true
      referencedRelation: "quotes"
      referencedColumns: ["id"]
    }
                  ]
                }
          }
          Views: {
            [_ in never]: never
          }
          Functions: {
            "calculate_quote_totals":
{ Args: { "quote_id": string }; Returns: {
              "grand_total": number,"subtotal": number,"vat": number
            }[]
                           },
"create_organisation":
{ Args: { "actor"?: string,"name": string }; Returns: string
                           },
"create_quote":
{ Args: { "payload": Json }; Returns: string
                           },
"create_revision":
{ Args: { "actor"?: string,"payload": Json,"quote_id": string }; Returns: string
                           },
"get_phase_balance":
{ Args: { "panel_id": string,"target"?: number }; Returns: {
              "balanced": boolean,"imbalance": number,"load_a": number,"phase": string,"system": string
            }[]
                           },
"member_emails":
{ Args: { "organisation_id": string }; Returns: {
              "email": string,"user_id": string
            }[]
                           },
"record_documents":
{ Args: { "documents": Json,"profile_id": string,"profile_sha256": string,"quote_id": string,"set_no": number,"state": string }; Returns: number
                           },
"remove_member":
{ Args: { "actor"?: string,"organisation_id": string,"user_id": string }; Returns: boolean
                           },
"review_quote":
{ Args: { "actor"?: string,"decision": string,"quote_id": string,"reason"?: string }; Returns: {
              "at": string,
"created_at": string,
"decision": string,
"id": string,
"quote_id": string,
"reason": string,
"reviewer": string,
"reviewer_email": string | null,
"updated_at": string
            }
                          SetofOptions: {
        from: "*"
        to: "quote_reviews"
        isOneToOne: true
        isSetofReturn: false
      } },
"set_member":
{ Args: { "actor"?: string,"organisation_id": string,"role": string,"user_id": string }; Returns: {
              "created_at": string,
"id": string,
"organisation_id": string,
"role": string,
"updated_at": string,
"user_id": string
            }
                          SetofOptions: {
        from: "*"
        to: "memberships"
        isOneToOne: true
        isSetofReturn: false
      } },
"user_exists":
{ Args: { "user_id": string }; Returns: boolean
                           },
"user_id_by_email":
{ Args: { "email": string }; Returns: string
                           },
"validate_evidence_integrity":
{ Args: { "quote_id": string,"sha256": string,"stage": string }; Returns: boolean
                           }
          }
          Enums: {
            [_ in never]: never
          }
          CompositeTypes: {
            [_ in never]: never
          }
        },"shared": {
          Tables: {
            "audit_logs": {
                  Row: {
                    "action": string,"actor": string | null,"at": string,"detail": NonNullable<Json>,"id": string,"target": string
                  }
                  ComputedFields: never
                  Insert: {
                    "action": string,"actor"?: string | null,"at"?: string,"detail"?: NonNullable<Json>,"id"?: string,"target": string
                  }
                  Update: {
                    "action"?: string,"actor"?: string | null,"at"?: string,"detail"?: NonNullable<Json>,"id"?: string,"target"?: string
                  }
                  Relationships: [
                    
                  ]
                },"catalog_items": {
                  Row: {
                    "af": number | null,"brand": string | null,"created_at": string,"d_mm": number | null,"flags": (string)[],"h_mm": number | null,"id": string,"kind": string,"meta": NonNullable<Json>,"model": string | null,"poles": number | null,"price": number | null,"series": string | null,"updated_at": string,"version_id": string,"w_mm": number | null
                  }
                  ComputedFields: never
                  Insert: {
                    "af"?: number | null,"brand"?: string | null,"created_at"?: string,"d_mm"?: number | null,"flags"?: (string)[],"h_mm"?: number | null,"id"?: string,"kind": string,"meta"?: NonNullable<Json>,"model"?: string | null,"poles"?: number | null,"price"?: number | null,"series"?: string | null,"updated_at"?: string,"version_id": string,"w_mm"?: number | null
                  }
                  Update: {
                    "af"?: number | null,"brand"?: string | null,"created_at"?: string,"d_mm"?: number | null,"flags"?: (string)[],"h_mm"?: number | null,"id"?: string,"kind"?: string,"meta"?: NonNullable<Json>,"model"?: string | null,"poles"?: number | null,"price"?: number | null,"series"?: string | null,"updated_at"?: string,"version_id"?: string,"w_mm"?: number | null
                  }
                  Relationships: [
                    {
      foreignKeyName: "catalog_items_version_id_fkey"
      columns: ["version_id"]
isOneToOne: false
      referencedRelation: "catalog_versions"
      referencedColumns: ["id"]
    }
                  ]
                },"catalog_versions": {
                  Row: {
                    "activated_at": string | null,"activated_by": string | null,"content": NonNullable<Json>,"content_sha256": string,"created_at": string,"created_by": string | null,"id": string,"label": string,"notes": string | null,"status": string,"updated_at": string
                  }
                  ComputedFields: never
                  Insert: {
                    "activated_at"?: string | null,"activated_by"?: string | null,"content": NonNullable<Json>,"content_sha256": string,"created_at"?: string,"created_by"?: string | null,"id"?: string,"label": string,"notes"?: string | null,"status"?: string,"updated_at"?: string
                  }
                  Update: {
                    "activated_at"?: string | null,"activated_by"?: string | null,"content"?: NonNullable<Json>,"content_sha256"?: string,"created_at"?: string,"created_by"?: string | null,"id"?: string,"label"?: string,"notes"?: string | null,"status"?: string,"updated_at"?: string
                  }
                  Relationships: [
                    
                  ]
                },"company_profiles": {
                  Row: {
                    "content": NonNullable<Json>,"content_sha256": string,"created_at": string,"created_by": string | null,"id": string,"updated_at": string
                  }
                  ComputedFields: never
                  Insert: {
                    "content": NonNullable<Json>,"content_sha256": string,"created_at"?: string,"created_by"?: string | null,"id"?: string,"updated_at"?: string
                  }
                  Update: {
                    "content"?: NonNullable<Json>,"content_sha256"?: string,"created_at"?: string,"created_by"?: string | null,"id"?: string,"updated_at"?: string
                  }
                  Relationships: [
                    
                  ]
                }
          }
          Views: {
            [_ in never]: never
          }
          Functions: {
            "activate_catalog_version":
{ Args: { "version_id": string }; Returns: {
              "activated_at": string | null,
"activated_by": string | null,
"content": NonNullable<Json>,
"content_sha256": string,
"created_at": string,
"created_by": string | null,
"id": string,
"label": string,
"notes": string | null,
"status": string,
"updated_at": string
            }
                          SetofOptions: {
        from: "*"
        to: "catalog_versions"
        isOneToOne: true
        isSetofReturn: false
      } },
"check_sha256":
{ Args: { "value": string }; Returns: boolean
                           },
"health_check_detailed":
{ Args: Record<PropertyKey, never>; Returns: Json
                           }
          }
          Enums: {
            [_ in never]: never
          }
          CompositeTypes: {
            [_ in never]: never
          }
        }
}

type DatabaseWithoutInternals = Omit<Database, '__InternalSupabase'>

type DefaultSchema = DatabaseWithoutInternals[Extract<keyof Database, "estimator">]

export type Tables<
  DefaultSchemaTableNameOrOptions extends
    | keyof (DefaultSchema["Tables"] & DefaultSchema["Views"])
    | { schema: keyof DatabaseWithoutInternals },
  TableName extends DefaultSchemaTableNameOrOptions extends {
    schema: keyof DatabaseWithoutInternals
  }
    ? keyof (DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Tables"] &
        DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Views"])
    : never = never
> = DefaultSchemaTableNameOrOptions extends { schema: keyof DatabaseWithoutInternals }
  ? (DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Tables"] &
      DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Views"])[TableName] extends {
      Row: infer R
    }
    ? R
    : never
  : DefaultSchemaTableNameOrOptions extends keyof (DefaultSchema["Tables"] & DefaultSchema["Views"])
  ? (DefaultSchema["Tables"] & DefaultSchema["Views"])[DefaultSchemaTableNameOrOptions] extends {
      Row: infer R
    }
    ? R
    : never
  : never

export type TablesInsert<
  DefaultSchemaTableNameOrOptions extends
    | keyof DefaultSchema["Tables"]
    | { schema: keyof DatabaseWithoutInternals },
  TableName extends DefaultSchemaTableNameOrOptions extends {
    schema: keyof DatabaseWithoutInternals
  }
    ? keyof DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Tables"]
    : never = never
> = DefaultSchemaTableNameOrOptions extends { schema: keyof DatabaseWithoutInternals }
  ? DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Tables"][TableName] extends {
      Insert: infer I
    }
    ? I
    : never
  : DefaultSchemaTableNameOrOptions extends keyof DefaultSchema["Tables"]
  ? DefaultSchema["Tables"][DefaultSchemaTableNameOrOptions] extends {
      Insert: infer I
    }
    ? I
    : never
  : never

export type TablesUpdate<
  DefaultSchemaTableNameOrOptions extends
    | keyof DefaultSchema["Tables"]
    | { schema: keyof DatabaseWithoutInternals },
  TableName extends DefaultSchemaTableNameOrOptions extends {
    schema: keyof DatabaseWithoutInternals
  }
    ? keyof DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Tables"]
    : never = never
> = DefaultSchemaTableNameOrOptions extends { schema: keyof DatabaseWithoutInternals }
  ? DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Tables"][TableName] extends {
      Update: infer U
    }
    ? U
    : never
  : DefaultSchemaTableNameOrOptions extends keyof DefaultSchema["Tables"]
  ? DefaultSchema["Tables"][DefaultSchemaTableNameOrOptions] extends {
      Update: infer U
    }
    ? U
    : never
  : never

export type Enums<
  DefaultSchemaEnumNameOrOptions extends
    | keyof DefaultSchema["Enums"]
    | { schema: keyof DatabaseWithoutInternals },
  EnumName extends DefaultSchemaEnumNameOrOptions extends {
    schema: keyof DatabaseWithoutInternals
  }
    ? keyof DatabaseWithoutInternals[DefaultSchemaEnumNameOrOptions["schema"]]["Enums"]
    : never = never
> = DefaultSchemaEnumNameOrOptions extends { schema: keyof DatabaseWithoutInternals }
  ? DatabaseWithoutInternals[DefaultSchemaEnumNameOrOptions["schema"]]["Enums"][EnumName]
  : DefaultSchemaEnumNameOrOptions extends keyof DefaultSchema["Enums"]
  ? DefaultSchema["Enums"][DefaultSchemaEnumNameOrOptions]
  : never

export type CompositeTypes<
  PublicCompositeTypeNameOrOptions extends
    | keyof DefaultSchema["CompositeTypes"]
    | { schema: keyof DatabaseWithoutInternals },
  CompositeTypeName extends PublicCompositeTypeNameOrOptions extends {
    schema: keyof DatabaseWithoutInternals
  }
    ? keyof DatabaseWithoutInternals[PublicCompositeTypeNameOrOptions["schema"]]["CompositeTypes"]
    : never = never
> = PublicCompositeTypeNameOrOptions extends { schema: keyof DatabaseWithoutInternals }
  ? DatabaseWithoutInternals[PublicCompositeTypeNameOrOptions["schema"]]["CompositeTypes"][CompositeTypeName]
  : PublicCompositeTypeNameOrOptions extends keyof DefaultSchema["CompositeTypes"]
  ? DefaultSchema["CompositeTypes"][PublicCompositeTypeNameOrOptions]
  : never

export const Constants = {
  "estimator": {
          Enums: {
            
          }
        },"shared": {
          Enums: {
            
          }
        }
} as const
